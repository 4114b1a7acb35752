import { defineConfig, mergeConfig } from 'vitest/config';
import { unitConfig } from '../vitest.shared.ts';

export default mergeConfig(unitConfig(), defineConfig({ test: { include: ['bench/**/*.spec.ts', 'deploy/**/*.spec.ts'] } }));
