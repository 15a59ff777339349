// itty-router style: the default export is a Proxy that answers every property
// (including `then`) with a route-registering function.
import { Router } from './router.js';

const router = Router();
router.get('/hello', () => 'hello from the proxy router');

export default router;
