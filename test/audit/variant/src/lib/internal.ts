// Referenced by a server function only: not in the manifest, so Start does not know its id.
import { createServerFn } from '@tanstack/react-start';

export const internalOnly = createServerFn().handler(async () => ({ internal: true }));
