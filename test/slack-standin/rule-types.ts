/** What a rules file of the stand-in gives (block-rules.ts registers each): per block type, per message. */
export type Json = Record<string, unknown>;
/** Records one of Slack's `[ERROR] <limit> [json-pointer:<pointer>]` lines. */
export type Fail = (limit: string, pointer: string) => void;

export interface BlockRules {
  /** Checks of one block of this type at `/blocks/N`. */
  blocks: Record<string, (block: Json, at: string, fail: Fail) => void>;
  /** Checks over the whole message (e.g. how many of a type it may hold). */
  message?: (blocks: Json[], fail: Fail) => void;
}
