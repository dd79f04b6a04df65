/**
 * The process tree list beside the graph (indented, collapsible, like a process explorer): image, PID,
 * user, start, command line, badges and rule-chain marks, one row per drawn node. Selection, collapse,
 * expansion and find are the graph's own (view state); only the rows in view are rendered, so 2,000+
 * rows scroll smoothly. Keys: ↑/↓ rows, ← collapse or go to parent, → expand or go to first child,
 * Enter expand/collapse.
 */
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { formatUtc } from '../../lib/format';
import { badgeText, type VisibleGraph } from '../graph';
import { rowWindow, scrollToRow, treeRows } from './tree-rows';

export const ROW_H = 24;
const INDENT = 14;

interface Props {
  graph: VisibleGraph;
  selected: string | null;
  matches: ReadonlySet<string> | null;
  /** Ids on the highlighted rule-hit chain. */
  chain: ReadonlySet<string>;
  onSelect(id: string): void;
  /** Expand or collapse (the graph's Enter). */
  onToggle(id: string): void;
  /** Rare processes (prevalence) → their figures, shown as a marker on the row. */
  rare?: ReadonlyMap<string, string>;
}

export function TreeList({ graph, selected, matches, chain, onSelect, onToggle, rare }: Props) {
  const rows = useMemo(() => treeRows(graph), [graph]);
  const index = useMemo(() => new Map(rows.map((r, i) => [r.id, i])), [rows]);
  const boxRef = useRef<HTMLDivElement>(null);
  const [scroll, setScroll] = useState({ top: 0, h: 600 });

  useEffect(() => {
    const el = boxRef.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setScroll({ top: el.scrollTop, h: el.clientHeight }));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  // The selection (from either view, or find) scrolls into view.
  useEffect(() => {
    const el = boxRef.current;
    const i = selected ? index.get(selected) : undefined;
    if (!el || i === undefined) return;
    const top = scrollToRow(i, ROW_H, el.scrollTop, el.clientHeight);
    if (top !== el.scrollTop) { el.scrollTop = top; setScroll({ top, h: el.clientHeight }); }
  }, [selected, index]);

  const [first, last] = rowWindow(rows.length, ROW_H, scroll.top, scroll.h);
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const i = selected ? index.get(selected) ?? -1 : -1;
    const row = rows[i];
    let next: string | undefined;
    if (e.key === 'ArrowDown') next = rows[Math.min(rows.length - 1, i + 1)]?.id;
    else if (e.key === 'ArrowUp') next = rows[Math.max(0, i - 1)]?.id;
    else if (e.key === 'Home') next = rows[0]?.id;
    else if (e.key === 'End') next = rows[rows.length - 1]?.id;
    else if (e.key === 'ArrowLeft' && row) {
      if (row.toggle === '▾' && row.node.kind !== 'more') { e.preventDefault(); onToggle(row.id); return; }
      next = row.node.parent ?? undefined;
    } else if (e.key === 'ArrowRight' && row) {
      if (row.toggle === '▸') { e.preventDefault(); onToggle(row.id); return; }
      next = row.node.children[0];
    } else if (e.key === 'Enter' && row) { e.preventDefault(); onToggle(row.id); return; }
    else return;
    e.preventDefault();
    if (next) onSelect(next);
  };

  return (
    <div
      ref={boxRef} className="tree-list" role="tree" aria-label="Process tree list" tabIndex={0} onKeyDown={onKeyDown}
      aria-activedescendant={selected && index.has(selected) && index.get(selected)! >= first && index.get(selected)! < last ? `row-${index.get(selected)}` : undefined}
      onScroll={(e) => setScroll({ top: e.currentTarget.scrollTop, h: e.currentTarget.clientHeight })}
      data-rows={rows.length}
    >
      <div className="tree-head" aria-hidden="true">
        <span className="c-name">Process</span><span className="c-pid">PID</span><span className="c-user">User</span>
        <span className="c-start">Start (UTC)</span><span className="c-badges">Events</span><span className="c-cmd">Command line</span>
      </div>
      <div style={{ height: rows.length * ROW_H, position: 'relative' }}>
        {rows.slice(first, last).map((r, k) => {
          const i = first + k;
          const n = r.node.node;
          const cls = ['tree-row', r.id === selected ? 'selected' : '', matches?.has(r.id) ? 'match' : '', chain.has(r.id) ? 'chain' : '', n?.placeholder ? 'placeholder' : ''].filter(Boolean).join(' ');
          const name = r.node.kind === 'more' ? `${r.node.moreCount ?? ''} more ▸`.trim()
            : r.node.kind === 'group' ? `×${n?.group?.count ?? '?'} ${n?.name ?? ''}` : n?.name || n?.image || '?';
          return (
            <div
              key={r.id} id={`row-${i}`} className={cls} role="treeitem" aria-level={r.depth + 1} aria-selected={r.id === selected}
              aria-expanded={r.toggle === '' ? undefined : r.toggle === '▾'} data-id={r.id} data-row={i}
              style={{ top: i * ROW_H, height: ROW_H }}
              onClick={() => (r.node.kind === 'more' ? onToggle(r.id) : onSelect(r.id))}
              onDoubleClick={() => onToggle(r.id)}
            >
              <span className="c-name" style={{ paddingLeft: r.depth * INDENT }} title={n?.image}>
                <button type="button" tabIndex={-1} className="twisty" aria-hidden="true" disabled={!r.toggle} onClick={(e) => { e.stopPropagation(); onToggle(r.id); }}>{r.toggle}</button>
                {chain.has(r.id) && <span className="rule-mark" title="On the highlighted rule-hit chain">◆</span>}
                {name}
                {rare?.has(r.id) && <span className="rare-mark" title={rare.get(r.id)}> ◆ {rare.get(r.id)}</span>}
              </span>
              <span className="c-pid">{n?.pid ?? ''}</span>
              <span className="c-user" title={n?.user}>{n?.user.split('\\').pop() ?? ''}</span>
              <span className="c-start">{n ? formatUtc(n.startTime).slice(11, 23) : ''}</span>
              <span className="c-badges">{n ? badgeText(n.eventCounts) : ''}</span>
              <span className="c-cmd" title={n?.commandLine}>{n?.commandLine ?? ''}</span>
            </div>
          );
        })}
      </div>
    </div>
  );
}
