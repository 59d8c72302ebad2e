// How many times each handler ran: a refused call must never reach its handler.
export const calls: Record<string, number> = {};
export function ran(name: string) {
  calls[name] = (calls[name] ?? 0) + 1;
}
