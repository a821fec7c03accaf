import { useState } from 'preact/hooks';
import { apiKey, setApiKey } from '../api/api-key';

/** The API key field: kept in localStorage, sent as `Authorization: Bearer` and in WebSocket connectionParams. */
export function KeyBar() {
  const [value, setValue] = useState(apiKey());
  const [saved, setSaved] = useState(apiKey());
  const save = (e: Event) => {
    e.preventDefault();
    setApiKey(value);
    setSaved(value.trim());
  };
  return (
    <form class="keybar" onSubmit={save} noValidate>
      <label>
        API key{' '}
        <input
          type="password"
          autocomplete="off"
          placeholder={saved ? 'saved' : 'not set'}
          value={value}
          onInput={(e) => setValue(e.currentTarget.value)}
          data-testid="api-key"
        />
      </label>
      <button type="submit">Use key</button>
      {saved ? (
        <button
          type="button"
          class="link"
          onClick={() => {
            setApiKey('');
            setValue('');
            setSaved('');
          }}
        >
          forget
        </button>
      ) : null}
    </form>
  );
}
