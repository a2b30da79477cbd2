'use client';
/** The tab's one uploads store (lib/stores/uploads.ts) wired to the browser, and the hooks components read it with. */
import { useStore } from 'zustand';
import { filesApi, uploadFile } from '@/lib/files/upload-client';
import { createUploadsStore, type Tray, type UploadsActions, type UploadsState, type UploadsStore } from '@/lib/stores/uploads';

let uploads: UploadsStore | null = null;

export function uploadsStore(): UploadsStore {
  uploads ??= createUploadsStore({
    upload: uploadFile,
    removeUpload: filesApi.removeUpload,
    fetchLimits: filesApi.limits,
    createObjectURL: (blob) => URL.createObjectURL(blob),
    revokeObjectURL: (url) => URL.revokeObjectURL(url),
  });
  return uploads;
}

export function useUploads<T>(selector: (state: UploadsState & UploadsActions) => T): T {
  return useStore(uploadsStore(), selector);
}

const NO_TRAY: Tray | null = null;

export function useTray(trayKey: string | undefined): Tray | null {
  return useUploads((s) => (trayKey ? (s.trays[trayKey] ?? NO_TRAY) : NO_TRAY));
}

/** The composer of a room's main timeline, or of one thread, keeps its files apart from the others. */
export function trayKeyFor(roomId: string, threadRootSeq?: number): string {
  return threadRootSeq === undefined ? roomId : `${roomId}/thread/${threadRootSeq}`;
}

/** Files from a paste or a drop, with clipboard images named after when they were pasted instead of "image.png". */
export function filesFromTransfer(data: DataTransfer | null): File[] {
  if (!data) return [];
  let files = [...data.files];
  if (files.length === 0) files = [...data.items].flatMap((item) => (item.kind === 'file' ? [item.getAsFile()].filter((f): f is File => f !== null) : []));
  return files.map((file) => {
    const generic = /^image\.(png|jpe?g|gif|webp)$/i.exec(file.name);
    if (!generic) return file;
    const stamp = new Date().toISOString().slice(0, 19).replace('T', ' ').replaceAll(':', '.');
    return new File([file], `Pasted image ${stamp}.${generic[1]!.toLowerCase()}`, { type: file.type, lastModified: file.lastModified });
  });
}
