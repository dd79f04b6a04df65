/**
 * Sysmon ProcessGuid normalisation (docs/api.md "Conventions").
 * Inputs accept any case, with or without braces; output is lowercase with braces.
 */
export const ZERO_GUID = '{00000000-0000-0000-0000-000000000000}';

const GUID_RE = /^\{?([0-9a-fA-F]{8})-([0-9a-fA-F]{4})-([0-9a-fA-F]{4})-([0-9a-fA-F]{4})-([0-9a-fA-F]{12})\}?$/;

/** Canonical `{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}` or null when `value` is not a GUID. */
export function canonicalGuid(value: string | null | undefined): string | null {
  if (value == null) return null;
  const m = GUID_RE.exec(value.trim());
  if (!m) return null;
  return `{${m[1]}-${m[2]}-${m[3]}-${m[4]}-${m[5]}}`.toLowerCase();
}

export function isGuid(value: string): boolean {
  return canonicalGuid(value) !== null;
}

/** True for the all-zero GUID Sysmon writes when the parent is unknown. */
export function isZeroGuid(value: string | null | undefined): boolean {
  return canonicalGuid(value) === ZERO_GUID;
}
