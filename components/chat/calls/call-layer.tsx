'use client';
import dynamic from 'next/dynamic';
import { useEffect } from 'react';
import { CallNotice } from './call-notice';
import { useCalls, useCallsStore } from './calls-context';

// The call UI (Radix dialog, media elements, tones) is loaded when a call rings or this tab is in one, not
// with every page: most visits have no call (issue 15's room-page JS budget). The store and the socket
// listeners stay eager, so an incoming call is noticed at once; its UI follows a chunk fetch later.
const IncomingCalls = dynamic(() => import('./incoming-call').then((m) => m.IncomingCalls), { ssr: false });
const CallView = dynamic(() => import('./call-view').then((m) => m.CallView), { ssr: false });
const CallAudio = dynamic(() => import('./call-view').then((m) => m.CallAudio), { ssr: false });
const LazyCallBar = dynamic(() => import('./call-view').then((m) => m.CallBar), { ssr: false });

/** The minimised call's bar above the room (only ever shown while this tab is in a call). */
export function CallBar() {
  const inCall = useCalls((s) => s.current !== null);
  return inCall ? <LazyCallBar /> : null;
}

/**
 * What calls put on screen wherever I am in the app: incoming calls, the call view, the others' sound and
 * how calls ended. Also hangs up when the page goes away mid-call (the socket closes before it could say so).
 */
export function CallLayer() {
  const store = useCallsStore();
  const ringing = useCalls((s) => Object.keys(s.ringing).length > 0);
  const inCall = useCalls((s) => s.current !== null);
  useEffect(() => {
    const leave = () => store.getState().leaveOnUnload();
    window.addEventListener('pagehide', leave);
    window.addEventListener('beforeunload', leave);
    return () => {
      window.removeEventListener('pagehide', leave);
      window.removeEventListener('beforeunload', leave);
    };
  }, [store]);
  return (
    <>
      {ringing && <IncomingCalls />}
      {inCall && (
        <>
          <CallView />
          <CallAudio />
        </>
      )}
      <CallNotice />
    </>
  );
}
