// The page that references src/lib/attack.ts (a server function no client imports is not built).
import { createFileRoute } from '@tanstack/react-router';
import * as fns from '../lib/attack';

export const Route = createFileRoute('/attack')({
  component: function Attack() {
    return (
      <main>
        {Object.entries(fns).map(([name, fn]) => (
          <button key={name} onClick={() => (fn as () => unknown)()}>
            {name}
          </button>
        ))}
      </main>
    );
  },
});
