/**
 * Files from a drop or a picker, folders included: dropped directories are walked with the
 * (widely supported) FileSystemEntry API; picked folders come flat with `webkitRelativePath`.
 * Hidden files (`.DS_Store`, `.git/…`) are left out.
 */

/** A file to upload and the path shown for it (relative to what was dropped). */
export interface PickedFile { file: File; path: string }

const hidden = (path: string): boolean => path.split('/').some((part) => part.startsWith('.') && part.length > 1);

/** From an `<input type=file>` (with or without `webkitdirectory`). */
export function filesFromList(list: FileList | readonly File[]): PickedFile[] {
  return Array.from(list)
    .map((file) => ({ file, path: file.webkitRelativePath || file.name }))
    .filter((p) => !hidden(p.path));
}

function readAll(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  // readEntries returns at most ~100 entries per call: call until it returns none.
  return new Promise((resolve, reject) => {
    const out: FileSystemEntry[] = [];
    const next = (): void => reader.readEntries((batch) => {
      if (batch.length === 0) resolve(out); else { out.push(...batch); next(); }
    }, reject);
    next();
  });
}

async function walk(entry: FileSystemEntry, out: PickedFile[]): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    out.push({ file, path: entry.fullPath.replace(/^\//, '') });
  } else if (entry.isDirectory) {
    const children = await readAll((entry as FileSystemDirectoryEntry).createReader());
    children.sort((a, b) => a.name.localeCompare(b.name));
    for (const c of children) await walk(c, out);
  }
}

/**
 * The files of a drop. Must be called synchronously inside the drop handler (the DataTransfer items
 * go stale after it); the returned promise may settle later.
 */
export function filesFromDrop(dt: DataTransfer): Promise<PickedFile[]> {
  const entries = Array.from(dt.items)
    .filter((i) => i.kind === 'file')
    .map((i) => i.webkitGetAsEntry?.() ?? null);
  if (entries.length === 0 || entries.some((e) => e === null)) return Promise.resolve(filesFromList(dt.files));
  return (async () => {
    const out: PickedFile[] = [];
    for (const e of entries) await walk(e!, out);
    return out.filter((p) => !hidden(p.path));
  })();
}
