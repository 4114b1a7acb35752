import { intConfig } from '../../vitest.shared.ts';

export default intConfig();
