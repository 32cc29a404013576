/**
 * Time travel: every view as it was at a past event revision or moment, read-only meanwhile
 * (the API's `asOf`/`asOfTime`). "What happened to my job" becomes a scrub back in time.
 */
import { type FormEvent, useState } from 'react';
import { useLive } from '../store/live';

export function TimeTravelControl() {
  const { revision, past, setPast } = useLive();
  const [value, setValue] = useState<number | null>(null);
  const latest = Math.max(revision, 0);
  const shown = value ?? (past && 'asOf' in past ? past.asOf : latest);
  const go = (e: FormEvent) => {
    e.preventDefault();
    setPast(shown >= latest ? null : { asOf: shown });
  };
  return (
    <form className={past ? 'time-travel on' : 'time-travel'} onSubmit={go} aria-label="Time travel">
      <label htmlFor="time-travel-revision">{past ? 'Viewing the past, at event' : 'Time travel to event'}</label>
      <input
        id="time-travel-revision"
        type="range"
        min={-1}
        max={latest}
        value={shown}
        onChange={(e) => setValue(Number(e.target.value))}
        aria-valuetext={`event ${shown} of ${latest}`}
      />
      <output htmlFor="time-travel-revision">
        {shown} / {latest}
      </output>
      <button type="submit">Show</button>
      {past && (
        <button
          type="button"
          onClick={() => {
            setValue(null);
            setPast(null);
          }}
        >
          Back to now
        </button>
      )}
    </form>
  );
}
