export * from './guid.js';
export * from './categories.js';
export * from './schemas.js';
export * from './time.js';
export * from './errors.js';
export * from './requests.js';
export * from './rules-api.js';
export * from './investigation-url.js';
