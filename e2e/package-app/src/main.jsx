// A host app using the package as an ATS frontend would: the React component with an
// inline config object, events rendered into the app's own DOM.
import { useState } from 'react';
import { createRoot } from 'react-dom/client';
import { ScreeningWidget } from 'screening-widget/react';

let configEvents = 0;
// `?server=<origin>`: talk to the companion server cross-origin (the CORS check).
const serverUrl = new URLSearchParams(window.location.search).get('server') || undefined;

function App() {
  const [renders, setRenders] = useState(0);
  const [accent, setAccent] = useState('#0a7d55');
  const [checkId, setCheckId] = useState(undefined);
  const [events, setEvents] = useState([]);
  const [created, setCreated] = useState(null);
  const [token, setToken] = useState(undefined);
  // What a host does when its backend hands it a fresh session token.
  const newToken = async () => {
    const res = await fetch('/demo/session', { method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ capabilities: ['order'] }) });
    setToken((await res.json()).token);
  };
  return (
    <main>
      <h1>Package test app</h1>
      <p>
        <button type="button" id="rerender" onClick={() => setRenders((n) => n + 1)}>
          Re-render the parent
        </button>{' '}
        <output id="renders">{renders}</output>{' '}
        <button type="button" id="change-theme" onClick={() => setAccent('#7a1fa2')}>
          Change the theme
        </button>{' '}
        <button type="button" id="new-check" onClick={() => setCheckId('w-package-app-2')}>
          Order under another check id
        </button>{' '}
        <button type="button" id="new-token" onClick={newToken}>New session token</button>
        {token && <output id="token" data-token={token}>token set</output>}
      </p>
      <ScreeningWidget
        id="widget"
        config={{
          serverUrl,
          sessionUrl: '/demo/session',
          mode: 'order',
          applicant: { first_name: 'Prefilled', last_name: 'Applicant', state: 'CA' },
          theme: { accent },
          backgroundCheckId: checkId,
          token,
          // A new function on every render: called through the latest props, no remount.
          onEvent: () => { document.body.dataset.configEvents = String(++configEvents); },
        }}
        onEvent={(name, detail) => setEvents((list) => [...list, { name, detail }])}
        onOrderCreated={(detail) => setCreated(detail)}
      />
      <h2>Events</h2>
      <ol id="events">
        {events.map((e, i) => (
          <li key={i} data-name={e.name}>{e.name} {JSON.stringify(e.detail)}</li>
        ))}
      </ol>
      {created && (
        <p id="created" data-id={created.backgroundCheckId} data-status={created.status}>
          Order {created.backgroundCheckId} created ({created.status})
        </p>
      )}
    </main>
  );
}

createRoot(document.getElementById('root')).render(<App />);
