import { defineConfig, mergeConfig } from 'vitest/config';
import { intConfig } from '../vitest.shared.ts';

export default mergeConfig(intConfig(), defineConfig({ test: { include: ['bench/**/*.int.spec.ts'] } }));
