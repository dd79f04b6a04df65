/**
 * Uploading files into the embedded store. UploadPanel is loaded lazily by the shell
 * (app/optional-features.tsx), so only the upload state model is re-exported here.
 */
export { initialUploadState, summarise, uploadReducer, type UploadItem, type UploadState, type UploadSummary } from './upload-state';
