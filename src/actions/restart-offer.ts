/**
 * A restart the report may offer (step 1 of the protocol, offer-restarts.ts): what the button and
 * its confirm dialog show. The button's value is `recordId` and nothing else.
 */
export interface RestartOffer {
  recordId: string;
  label: string;
  host: string;
  address: string;
  command: string;
  dryRun: boolean;
  expiresAt: number;
}
