import type { ApiError } from '../api/api-error';

/** Shows an error with its stable code first, so researchers and operators can quote it. */
export function ErrorBox({ error, title, onDismiss }: { error: ApiError | null; title?: string; onDismiss?: () => void }) {
  if (!error) return null;
  return (
    <div className="error-box" role="alert">
      <div>
        {title && <strong className="error-title">{title}</strong>}
        <code className="error-code">{error.code}</code> <span className="error-message">{error.message}</span>
      </div>
      {onDismiss && (
        <button type="button" className="icon-button" onClick={onDismiss} aria-label="Dismiss error">
          ×
        </button>
      )}
    </div>
  );
}
