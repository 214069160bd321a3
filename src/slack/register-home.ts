/**
 * The Home tab: on `app_home_opened` (Events API; the manifest subscribes to it and enables
 * `features.app_home`), the view is read from Redis (home/load-home.ts), built by the pure
 * home/home-view.ts and published for that person with views.publish (no scope needed). Slack sends
 * the event for the Messages tab too: only the Home tab is answered.
 */
import type { App } from '@slack/bolt';
import { renderHome } from '../home/home-view.js';
import { type HomeDeps, loadHome } from '../home/load-home.js';
import { slackErrorCode } from './web-client.js';

export function registerHome(app: App, deps: HomeDeps): void {
  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    const view = renderHome(await loadHome(deps));
    try {
      await client.views.publish({ user_id: event.user, view });
    } catch (err) {
      deps.logger.warn({ user: event.user, err: slackErrorCode(err) }, 'App Home not published');
    }
  });
}
