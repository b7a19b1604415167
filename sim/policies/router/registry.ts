import { z } from 'zod';
import { LlqRouter } from './llq.js';
import { LorRouter } from './lor.js';
import { RandomRouter } from './random.js';
import { RoundRobinRouter } from './round-robin.js';
import type { Router, RouterInit } from './router.js';

export const RouterName = z.enum(['round_robin', 'lor', 'llq', 'random']);
export type RouterName = z.infer<typeof RouterName>;

export type RouterFactory = (init: RouterInit) => Router;

export const ROUTERS = {
  round_robin: (init) => new RoundRobinRouter(init),
  lor: (init) => new LorRouter(init),
  llq: (init) => new LlqRouter(init),
  random: (init) => new RandomRouter(init),
} satisfies Record<RouterName, RouterFactory>;
