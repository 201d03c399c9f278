import { useEffect, useRef, useState } from 'react';
import { ApiError } from '../api/api-error';
import { formatDate } from '../format.util';
import { ErrorBox } from '../ui/error-box';
import { ensureKey, exportKey, fingerprint, parseImportedKey, replaceKey, type ResearcherKey } from './key-store';

/** Shows the researcher's key, and exports or imports it. The secret half is only ever written to a file the researcher downloads. */
export function KeyPage() {
  const [key, setKey] = useState<ResearcherKey | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  useEffect(() => {
    ensureKey().then(setKey, (e) => setError(new ApiError('KEY_STORE', `cannot open the browser's key store: ${(e as Error).message}`)));
  }, []);

  const download = () => {
    if (!key) return;
    const blob = new Blob([JSON.stringify(exportKey(key), null, 2)], { type: 'application/json' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `ferry-key-${key.publicKey.replace(/[^A-Za-z0-9]/g, '').slice(0, 8)}.json`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
    setNotice('Key exported. Keep the file private: anyone holding it can open your transfer parameters.');
  };

  const importFile = async (file: File) => {
    setError(null);
    setNotice(null);
    try {
      const k = parseImportedKey(await file.text());
      await replaceKey(k);
      setKey(k);
      setNotice('Key imported. This browser now uses it for new and pending transfers.');
    } catch (e) {
      setError(new ApiError('BAD_KEY_FILE', (e as Error).message));
    }
  };

  return (
    <div className="key-page">
      <h1>Your key</h1>
      <p className="lead">
        This key pair lets the providers seal each transfer's parameters so that only you can open them and approve the transfer;
        its secret half stays in this browser and is never sent to ferry.
      </p>
      <ErrorBox error={error} onDismiss={() => setError(null)} />
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {key && (
        <dl className="key-facts">
          <div>
            <dt>Fingerprint</dt>
            <dd>
              <code data-testid="key-fingerprint">{fingerprint(key.publicKey)}</code>
            </dd>
          </div>
          <div>
            <dt>Public key</dt>
            <dd>
              <code className="break">{key.publicKey}</code>
            </dd>
          </div>
          <div>
            <dt>Created</dt>
            <dd>{formatDate(key.createdAt)}</dd>
          </div>
        </dl>
      )}
      <div className="actions">
        <button type="button" className="primary" onClick={download} disabled={!key}>
          Export key…
        </button>
        <button type="button" onClick={() => fileInput.current?.click()}>
          Import key…
        </button>
        <input
          ref={fileInput}
          type="file"
          accept="application/json,.json"
          className="visually-hidden"
          aria-label="Key file to import"
          tabIndex={-1}
          onChange={(e) => {
            const f = e.target.files?.[0];
            e.target.value = '';
            if (f) void importFile(f);
          }}
        />
      </div>
      <p className="muted">
        Import a key exported from another browser, or the key file made by <code>ferry keygen</code>, to use the same key here.
        Importing replaces the key in this browser.
      </p>
    </div>
  );
}
