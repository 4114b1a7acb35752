import { placeholder } from '@ims/codec';
export const x = placeholder;
