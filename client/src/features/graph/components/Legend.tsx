/** The graph legend: node colours by process kind, node states, edge kinds, marks. */
import { KIND_LABELS } from '../model/process-kind';
import { EDGE_COLOURS, KIND_COLOURS, type Theme } from './graph-styles';

export function Legend({ theme, inline }: { theme: Theme; inline?: boolean }) {
  const k = KIND_COLOURS[theme];
  const e = EDGE_COLOURS[theme];
  return (
    <aside className={inline ? 'legend inline' : 'legend'} aria-label="Legend">
      <ul>
        {KIND_LABELS.map(([kind, label]) => (
          <li key={kind}><span className="swatch" style={{ borderColor: k[kind] }} />{label}</li>
        ))}
      </ul>
      <ul>
        <li><span className="swatch origin" style={{ outlineColor: e.path }} />Origin</li>
        <li><span className="swatch" />Running</li>
        <li><span className="swatch terminated" />Terminated</li>
        <li><span className="swatch dashed" />Placeholder</li>
        <li><span className="swatch stacked" />Sibling group ×N</li>
      </ul>
      <ul>
        <li><span className="line" style={{ borderColor: EDGE_COLOURS[theme].spawn }} />Spawn (+Δt)</li>
        <li><span className="line dashed" style={{ borderColor: e.remoteThread }} />Remote thread</li>
        <li><span className="line dashed" style={{ borderColor: e.access }} />Process access</li>
        <li><span className="line thick" style={{ borderColor: e.chain }} />Rule-hit chain</li>
        <li><span className="line thick" style={{ borderColor: e.path }} />Path to root</li>
      </ul>
      <p className="legend-badges">Badges: file · net · reg · dns · img (image load) · acc (process access) · thr (remote thread)</p>
    </aside>
  );
}
