// The limiter behind the rateLimit guard: start-guard's own, three calls per client, then one a
// minute.
import { createRateLimiter } from 'start-guard';

export const limiter = createRateLimiter({ name: 'test-app:limited', capacity: 3, refillPerSecond: 1 / 60 });
