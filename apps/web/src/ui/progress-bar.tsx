/** A determinate bar when the total is known, an indeterminate stripe while it is not. */
export function ProgressBar({ value, label, state }: { value: number | null; label: string; state?: string }) {
  return (
    <div
      className={`progress${value === null ? ' progress-indeterminate' : ''}${state ? ` progress-${state.toLowerCase()}` : ''}`}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={value === null ? undefined : Math.round(value)}
    >
      <div className="progress-fill" style={{ width: value === null ? undefined : `${value}%` }} />
    </div>
  );
}
