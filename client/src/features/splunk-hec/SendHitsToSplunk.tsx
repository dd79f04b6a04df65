/**
 * "Send to Splunk" on the Rules page: sends the listed rule hits to Splunk as events through the admin's
 * HTTP Event Collector token (POST /api/hec/hits, server/src/api/hec-routes.ts), into the index an ES
 * correlation search reads. Hidden when the server has no HEC configured.
 */
import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { HecSentSchema, HecStatusSchema, type RuleHit } from '@lineage/shared';
import { apiGet, apiPost } from '../../lib/api-client';

export function SendHitsToSplunk({ hits }: { hits: RuleHit[] }) {
  const hec = useQuery({ queryKey: ['lineage', 'hec'], queryFn: ({ signal }) => apiGet('/api/hec', {}, HecStatusSchema, signal), staleTime: 300_000 });
  const [state, setState] = useState<{ kind: 'idle' | 'sending' } | { kind: 'done' | 'error'; text: string }>({ kind: 'idle' });
  if (!hec.data?.configured || hits.length === 0) return null;
  const index = hec.data.index ? ` (index ${hec.data.index})` : '';
  const send = () => {
    setState({ kind: 'sending' });
    apiPost('/api/hec/hits', { hits }, HecSentSchema).then(
      (r) => setState({ kind: 'done', text: `Sent ${r.sent} hit${r.sent === 1 ? '' : 's'} to Splunk${index}${r.acknowledged ? ', indexed' : ''}` }),
      (e: Error) => setState({ kind: 'error', text: e.message }),
    );
  };
  return (
    <span className="send-hits">
      <button type="button" onClick={send} disabled={state.kind === 'sending'}>{state.kind === 'sending' ? 'Sending…' : `Send ${hits.length} to Splunk${index}`}</button>
      {state.kind === 'done' && <span role="status"> {state.text}</span>}
      {state.kind === 'error' && <span role="alert" className="form-error"> {state.text}</span>}
    </span>
  );
}
