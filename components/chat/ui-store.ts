import { create } from 'zustand';

/** Small-screen UI toggles shared by the header and the shell. */
export const useUiStore = create<{ sidebarOpen: boolean; setSidebarOpen(open: boolean): void }>((set) => ({
  sidebarOpen: false,
  setSidebarOpen: (sidebarOpen) => set({ sidebarOpen }),
}));
