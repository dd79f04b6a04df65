/**
 * The Splunk-mode login page (mounted by App when /api/health says `splunk` and not authenticated).
 * The analyst signs in with their own Splunk account or an authentication token; on success the
 * health query is refetched and the app renders the investigation view.
 */
import { useState, type FormEvent } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { lineageQueries } from '../../api/queries';
import { ApiError } from '../../lib/api-client';
import { login, logout, type LoginInput } from './session-api';
import './session.css';

type Mode = 'password' | 'token';

function message(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.code === 'not_authenticated') return 'Splunk did not accept these credentials.';
    if (err.code === 'unavailable') return `Splunk cannot be reached: ${err.message}`;
    return err.message;
  }
  return 'Login failed.';
}

export function LoginPage() {
  const qc = useQueryClient();
  const health = useQuery(lineageQueries.health());
  const [mode, setMode] = useState<Mode>('password');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const input: LoginInput = mode === 'password' ? { username: username.trim(), password } : { token: token.trim() };
    if (mode === 'password' && (!username.trim() || !password)) { setError('Enter your Splunk user name and password.'); return; }
    if (mode === 'token' && !token.trim()) { setError('Paste a Splunk authentication token.'); return; }
    setBusy(true);
    try {
      await login(input);
      // Forget what was typed before anything else renders.
      setPassword(''); setToken('');
      await qc.invalidateQueries();
    } catch (err) {
      setError(message(err));
    } finally {
      setBusy(false);
    }
  };

  const splunkUrl = health.data?.splunk?.url;
  return (
    <main className="login-page">
      <form className="login-card" onSubmit={(e) => void submit(e)} aria-labelledby="login-title">
        <h1 id="login-title">Lineage</h1>
        <p className="login-sub">Sign in with your Splunk account{splunkUrl ? <> on <code>{splunkUrl}</code></> : null}. Searches run as you.</p>
        <div className="login-modes" role="tablist" aria-label="Sign-in method">
          <button type="button" role="tab" aria-selected={mode === 'password'} onClick={() => setMode('password')}>Password</button>
          <button type="button" role="tab" aria-selected={mode === 'token'} onClick={() => setMode('token')}>Token</button>
        </div>
        {mode === 'password' ? (
          <>
            <label>User name<input name="username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} autoFocus /></label>
            <label>Password<input name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} /></label>
          </>
        ) : (
          <label>Authentication token<input name="token" type="password" autoComplete="off" value={token} onChange={(e) => setToken(e.target.value)} autoFocus /></label>
        )}
        {error && <p className="form-error" role="alert">{error}</p>}
        <button type="submit" className="login-submit" disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
      </form>
    </main>
  );
}

/** A "Sign out" button for the top bar in Splunk mode. */
export function LogoutButton() {
  const qc = useQueryClient();
  return (
    <button type="button" onClick={() => void logout().finally(() => qc.invalidateQueries())}>Sign out</button>
  );
}
