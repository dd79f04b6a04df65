/**
 * A small Cytoscape view of the cross-host picture: one compound box per host so the machine boundary
 * stays visible, lateral edges dashed and coloured by confidence. Tapping a far-side process loads its
 * children (lazily, through the ordinary children page).
 */
import { useEffect, useRef } from 'react';
import cytoscape, { type Core, type NodeSingular } from 'cytoscape';
import type { AcrossElement } from './across-elements';

const STYLE = [
  { selector: 'node.host', style: { label: 'data(label)', 'text-valign': 'top', 'text-halign': 'center', 'font-size': 10, color: '#9aa4b2', 'background-opacity': 0.06, 'border-width': 1, 'border-style': 'dashed', 'border-color': '#7c8796', padding: 14, shape: 'round-rectangle' } },
  { selector: 'node.process', style: { label: 'data(label)', 'font-size': 10, color: '#d8dee9', 'text-valign': 'bottom', width: 18, height: 18, 'background-color': '#5e81ac' } },
  { selector: 'node.origin', style: { 'border-width': 3, 'border-color': '#ebcb8b' } },
  { selector: 'edge', style: { width: 1.5, 'curve-style': 'bezier', 'target-arrow-shape': 'triangle', 'line-color': '#7c8796', 'target-arrow-color': '#7c8796' } },
  { selector: 'edge.lateral', style: { width: 3, 'line-style': 'dashed', 'line-color': '#d08770', 'target-arrow-color': '#d08770', label: 'data(label)', 'font-size': 9, color: '#d08770', 'text-rotation': 'autorotate' } },
  { selector: 'edge.lateral.medium', style: { 'line-color': '#ebcb8b', 'target-arrow-color': '#ebcb8b', color: '#ebcb8b' } },
];

export function AcrossGraph({ elements, onTap }: { elements: AcrossElement[]; onTap: (id: string) => void }) {
  const hostRef = useRef<HTMLDivElement>(null);
  const cyRef = useRef<Core | null>(null);
  const tap = useRef(onTap);
  useEffect(() => { tap.current = onTap; });
  useEffect(() => {
    const cy = cytoscape({ container: hostRef.current, style: STYLE as never, elements: [], minZoom: 0.2, maxZoom: 2, autoungrabify: true, boxSelectionEnabled: false });
    cy.on('tap', 'node.process', (e) => tap.current((e.target as NodeSingular).id()));
    cyRef.current = cy;
    return () => { cy.destroy(); cyRef.current = null; };
  }, []);
  useEffect(() => {
    const cy = cyRef.current;
    if (!cy) return;
    cy.elements().remove();
    cy.add(elements as never);
    cy.layout({ name: 'breadthfirst', directed: true, spacingFactor: 0.9, padding: 12 } as never).run();
  }, [elements]);
  return <div ref={hostRef} className="across-graph" data-testid="across-graph" data-elements={JSON.stringify(elements.map((e) => [e.classes, e.data.id, e.data.parent ?? '']))} />;
}
