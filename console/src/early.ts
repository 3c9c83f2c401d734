/** Inlined in the page's head: sends the first request of the sessions view at once. */
import { startFirstRequest } from './first-request';

startFirstRequest(location.search);
