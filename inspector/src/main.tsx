import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { readServedRecordingAhead } from './data/sources.js';
import './styles.css';

// A recording `serve --open` serves is read while the UI starts.
readServedRecordingAhead(location.search);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
