/** The simulated stream's topic in the crash stress; offsets are line numbers from 0. */
export const STREAM_TOPIC = 'stress:stream';
/** Lines already sent, sent again (each a counted duplicate). */
export const REPLAY_TOPIC = 'stress:replay';
