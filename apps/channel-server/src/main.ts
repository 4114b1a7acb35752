import { placeholder } from '@ims/codec';
console.log(placeholder);
