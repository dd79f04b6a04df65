/**
 * The analyst session (Splunk mode): the login API. LoginPage and LogoutButton are loaded lazily by the
 * shell (app/optional-features.tsx), so they are not re-exported here.
 */
export { login, logout, SessionSchema, type LoginInput, type Session } from './session-api';
