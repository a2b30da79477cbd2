import { create } from 'zustand';

interface UiState {
  /** The rooms drawer on small screens. */
  sidebarOpen: boolean;
  setSidebarOpen(open: boolean): void;
  /** The sidebar's "New message" people picker. */
  dmPickerOpen: boolean;
  setDmPickerOpen(open: boolean): void;
  /** Bumped by "New room": home moves focus to its create form (a hash link alone does not on client navigation). */
  createRoomRequest: number;
  requestCreateRoom(): void;
}

/** Small UI toggles shared by the header, the sidebar and the pages. */
export const useUiStore = create<UiState>((set) => ({
  sidebarOpen: false,
  setSidebarOpen: (sidebarOpen) => set({ sidebarOpen }),
  dmPickerOpen: false,
  setDmPickerOpen: (dmPickerOpen) => set({ dmPickerOpen }),
  createRoomRequest: 0,
  requestCreateRoom: () => set((s) => ({ createRoomRequest: s.createRoomRequest + 1 })),
}));

/** Below Tailwind's `md`: the sidebar is a drawer. */
export const PHONE_QUERY = '(max-width: 767.98px)';

/** The header's button that opens the drawer: focus returns there when the drawer closes. */
export const DRAWER_TOGGLE_ID = 'room-drawer-toggle';
