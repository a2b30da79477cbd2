'use client';
import { useEffect } from 'react';
import { CallAudio, CallView } from './call-view';
import { CallNotice } from './call-notice';
import { useCallsStore } from './calls-context';
import { IncomingCalls } from './incoming-call';

/**
 * What calls put on screen wherever I am in the app: incoming calls, the call view, the others' sound and
 * how calls ended. Also hangs up when the page goes away mid-call (the socket closes before it could say so).
 */
export function CallLayer() {
  const store = useCallsStore();
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
      <IncomingCalls />
      <CallView />
      <CallAudio />
      <CallNotice />
    </>
  );
}
