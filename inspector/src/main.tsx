/**
 * The page's entry: on a `serve --open` page the recording starts loading
 * here, then the UI's code (its own chunk, ui-root.tsx) loads and renders,
 * so the reading does not wait for the UI's code to be parsed.
 */
import { readServedRecordingAhead } from './data/served-recording.js';

readServedRecordingAhead(location.search);
void import('./ui-root.js');
