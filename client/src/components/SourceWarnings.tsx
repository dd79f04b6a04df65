/**
 * The source's own warnings on the drawn graph (`stats.warnings`: on Splunk, a DONE job whose messages
 * say a peer was down or results were truncated, in Splunk's words — docs/splunk.md "Job hygiene and
 * Splunk's states"). A view built from partial results says so, visibly, beside the graph's figures.
 */
export function SourceWarnings({ warnings }: { warnings: readonly string[] | undefined }) {
  if (!warnings || warnings.length === 0) return null;
  return (
    <span className="source-warnings" role="status" data-testid="source-warnings" title={warnings.join('\n')}>
      ⚠ Partial view — the source said: {warnings.map((w, i) => <q key={i}>{w}</q>)}
    </span>
  );
}
