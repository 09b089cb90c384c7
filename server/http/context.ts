/** The Hono environment of every request: its id and the token it authenticated with. */
import type { TokenInfo } from '../auth/tokens.ts';

export interface AppEnv {
  Variables: {
    requestId: string;
    token: TokenInfo | undefined;
  };
}
