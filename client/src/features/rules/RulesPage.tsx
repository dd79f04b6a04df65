/**
 * The Rules page: paste or edit a lineage rule (YAML or a one-liner), validate it (server errors point at
 * line and field; clicking one puts the cursor there), run it over a time range and list the hits (time,
 * host, rule, path as images). Each hit opens the investigation with the chain highlighted.
 * `/rules?rule=<text>` pre-fills the editor ("make a rule from this chain", see chain-to-rule.ts).
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { useMutation, useQuery } from '@tanstack/react-query';
import { scanPushdown, type RuleHit } from '@lineage/shared';
import { lineageKeys } from '../../api/queries';
import { navigate } from '../../state/use-view-state';
import { loadPack, runRules, validateRules, type RuleError, type RunResult, type ValidateResult } from './api';
import './rules.css';
import { SendHitsToSplunk } from '../splunk-hec';
import { AttackIds } from '../sigma';

const EXAMPLE = 'cmd.exe -[1..5]-> powershell.exe|pwsh.exe -[1..5]-> winword.exe|excel.exe|powerpnt.exe within 30m';

const base = (p: string) => p.split(/[\\/]/).pop() ?? p;

/** `datetime-local` value (taken as UTC) → ISO, or undefined when empty. */
function toIso(local: string): string | undefined {
  if (!local) return undefined;
  const t = Date.parse(`${local}${local.length === 16 ? ':00' : ''}Z`);
  return Number.isFinite(t) ? new Date(t).toISOString() : undefined;
}

function initialText(): string {
  const fromUrl = new URLSearchParams(window.location.search).get('rule');
  return fromUrl && fromUrl.trim() ? fromUrl : EXAMPLE;
}

/** Character offset of the start of a 1-based line. */
function lineOffset(text: string, line: number): number {
  let at = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf('\n', at);
    if (nl < 0) return text.length;
    at = nl + 1;
  }
  return at;
}

function ErrorList({ errors, onPick }: { errors: RuleError[]; onPick: (e: RuleError) => void }) {
  if (errors.length === 0) return null;
  return (
    <ul className="rule-errors" data-testid="rule-errors" role="alert">
      {errors.map((e, i) => (
        <li key={i}>
          <button type="button" className="link" onClick={() => onPick(e)} title="Show in the editor">
            line {e.line}, col {e.column}
          </button>
          {e.field && <code className="rule-field">{e.field}</code>}
          <span>{e.message}</span>
        </li>
      ))}
    </ul>
  );
}

function HitRow({ hit }: { hit: RuleHit }) {
  return (
    <tr data-testid="rule-hit">
      <td className="mono" title={hit.time}>{hit.time.replace('T', ' ').replace('Z', '')}</td>
      <td>{hit.host}</td>
      <td><span className={`sev sev-${hit.severity ?? 'medium'}`}>{hit.severity ?? 'medium'}</span> {hit.rule}<AttackIds tags={hit.tags} /></td>
      <td>
        <a
          href={hit.url}
          onClick={(e) => { if (e.button === 0 && !e.metaKey && !e.ctrlKey) { e.preventDefault(); navigate(hit.url); } }}
          title="Open the investigation with this chain highlighted"
          data-testid="rule-hit-link"
        >
          {hit.images.map((img, i) => (
            <span key={i} className={hit.steps?.[i] == null ? 'chain-mid' : 'chain-step'}>
              {i > 0 && <span className="chain-arrow"> → </span>}
              {base(img)}
            </span>
          ))}
        </a>
        {hit.truncated && <span className="muted" title="Some ancestry was not in the data (a parent's own create is missing)"> (ancestry truncated)</span>}
      </td>
    </tr>
  );
}

/** What the last Validate or Run produced: positioned errors, the validated rules, or a run's result. */
type Outcome =
  | { kind: 'validate'; valid: ValidateResult }
  | { kind: 'run'; errors: RuleError[] }
  | { kind: 'run'; result: RunResult };

interface Action { kind: 'validate' | 'run'; text: string; from?: string | undefined; to?: string | undefined; signal: AbortSignal }

async function perform(a: Action): Promise<Outcome> {
  if (a.kind === 'validate') return { kind: 'validate', valid: await validateRules(a.text, a.signal) };
  const r = await runRules({ rules: a.text, from: a.from, to: a.to }, a.signal);
  return 'errors' in r ? { kind: 'run', errors: r.errors } : { kind: 'run', result: r.result };
}

/** The self-contained Rules page (mounted by the app shell at `/rules`). */
export function RulesPage() {
  const [text, setText] = useState(initialText);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const pack = useQuery({ queryKey: [...lineageKeys.all, 'rules', 'pack'], queryFn: ({ signal }) => loadPack(signal), staleTime: Infinity }).data ?? [];
  const action = useMutation({ mutationFn: perform });
  // The server stops a run whose request goes away (Splunk jobs are cancelled): Cancel and unmount abort it.
  const inflight = useRef<AbortController | null>(null);
  useEffect(() => () => inflight.current?.abort(), []);
  const editor = useRef<HTMLTextAreaElement>(null);

  const act = (kind: Action['kind']) => {
    inflight.current?.abort();
    const ac = new AbortController();
    inflight.current = ac;
    action.mutate({ kind, text, from: toIso(from), to: toIso(to), signal: ac.signal });
  };
  const cancel = () => { inflight.current?.abort(); action.reset(); };
  const out = action.data;
  const valid = out && 'valid' in out ? out.valid : null;
  const result = out && 'result' in out ? out.result : null;
  const errors = valid?.errors ?? (out && 'errors' in out ? out.errors : []);
  const busy = action.isPending ? action.variables.kind : null;
  const failure = action.error && action.error.name !== 'AbortError' ? action.error.message : null;
  const pick = (e: RuleError) => {
    const el = editor.current;
    if (!el) return;
    const at = lineOffset(text, e.line) + Math.max(0, e.column - 1);
    el.focus();
    el.setSelectionRange(at, Math.max(at, text.indexOf('\n', at) < 0 ? text.length : text.indexOf('\n', at)));
  };
  const stats = result?.stats;
  const pushed = useMemo(() => (stats ? scanPushdown(stats) : ''), [stats]);

  return (
    <section className="rules-page" aria-label="Lineage rules" data-testid="rules-page">
      <div className="rules-editor">
        <div className="toolbar">
          <label>
            Rule pack{' '}
            <select
              value=""
              onChange={(e) => { const r = pack.find((x) => x.id === e.target.value); if (r) { setText(r.text); action.reset(); } }}
              aria-label="Load a shipped rule"
            >
              <option value="">load a shipped rule…</option>
              {pack.map((r) => <option key={r.id} value={r.id}>{r.id}: {r.title}</option>)}
            </select>
          </label>
          <span className="grow" />
          <label>From (UTC) <input type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} aria-label="From (UTC)" /></label>
          <label>To (UTC) <input type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} aria-label="To (UTC)" /></label>
          <button type="button" onClick={() => act('validate')} disabled={busy !== null}>Validate</button>
          <button type="button" className="primary" onClick={() => act('run')} disabled={busy !== null || !text.trim()} data-testid="run-rule">
            {busy === 'run' ? 'Running…' : 'Run'}
          </button>
          {busy && <button type="button" className="link" onClick={cancel}>Cancel</button>}
        </div>
        <textarea
          ref={editor}
          className="rule-text mono"
          value={text}
          onChange={(e) => setText(e.target.value)}
          spellCheck={false}
          aria-label="Rule text (YAML or one-line form)"
          data-testid="rule-text"
          rows={Math.min(24, Math.max(4, text.split('\n').length + 1))}
        />
        <p className="muted rule-help">
          One-line form: <code>a.exe -[1..5]-&gt; b.exe|c.exe -&gt; d.exe within 30m</code> (<code>-&gt;</code> child, <code>-[2]-&gt;</code> grandchild,
          {' '}<code>-[1..*]-&gt;</code> any depth). YAML adds field matching, <code>unless</code>, <code>where</code>, <code>then</code> and inline tests.
        </p>
        <ErrorList errors={errors} onPick={pick} />
        {valid && valid.errors.length === 0 && (
          <p className="rule-ok" data-testid="rule-valid">
            ✓ {valid.rules.length} rule{valid.rules.length === 1 ? '' : 's'} valid: {valid.rules.map((r) => `${r.id} (${r.steps.length} steps)`).join(', ')}
          </p>
        )}
        {failure && <p className="form-error" role="alert">{failure}</p>}
      </div>
      {result && (
        <div className="rule-results">
          <p className="stats" data-testid="rule-stats">
            {result.hits.length} hit{result.hits.length === 1 ? '' : 's'}
            {result.truncated && ` (first ${result.truncated.limit} of ${result.truncated.total})`}
            {stats && ` · ${stats.scanned} process-creates scanned (${pushed}), ${stats.ancestors} ancestors in ${stats.ancestorRounds} rounds, ${stats.searches} queries, ${stats.ms} ms`}
          </p>
          <SendHitsToSplunk hits={result.hits} />
          {result.hits.length === 0 ? (
            <p className="muted">No process chain matched in this range.</p>
          ) : (
            <table className="rule-hits">
              <thead><tr><th>Time (UTC)</th><th>Host</th><th>Rule</th><th>Path (oldest first)</th></tr></thead>
              <tbody>{result.hits.map((h) => <HitRow key={`${h.rule}|${h.host}|${h.chain.join(',')}`} hit={h} />)}</tbody>
            </table>
          )}
        </div>
      )}
    </section>
  );
}
