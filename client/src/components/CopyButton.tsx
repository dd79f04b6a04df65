/** A small button that copies `text` to the clipboard and says so. */
import { useState } from 'react';

export async function copyText(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // Clipboard API refused (insecure context, no permission): fall back to a hidden textarea.
    const ta = document.createElement('textarea');
    ta.value = text;
    ta.setAttribute('readonly', '');
    ta.style.position = 'fixed';
    ta.style.opacity = '0';
    document.body.appendChild(ta);
    ta.select();
    document.execCommand('copy');
    ta.remove();
  }
}

export function CopyButton({ text, label }: { text: string; label: string }) {
  const [done, setDone] = useState(false);
  return (
    <button
      type="button" className="copy" aria-label={`Copy ${label}`} title={`Copy ${label}`}
      onClick={() => { void copyText(text).then(() => { setDone(true); setTimeout(() => setDone(false), 1200); }); }}
    >
      {done ? 'copied ✓' : 'copy'}
    </button>
  );
}
