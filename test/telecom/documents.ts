import { buildMrz, newFields, type DocumentFields } from '../documents/mrz-builder.js';

/** Test subscribers' documents: a passport (TD3) and an identity card (TD1), valid for years. */
export const PASSPORTS = {
  anna: newFields({ format: 'TD3', documentNumber: 'N12345678', surname: 'ABENOVA', givenNames: 'ANNA' }),
  boris: newFields({
    format: 'TD1',
    documentNumber: 'AB1234567',
    surname: 'BORISOV',
    givenNames: 'BORIS',
    sex: 'M',
    birth: '850301',
  }),
  vera: newFields({ format: 'TD3', documentNumber: 'K98765432', surname: 'VERINA', givenNames: 'VERA' }),
} satisfies Record<string, DocumentFields>;

/** The MRZ of a document as the API takes it: its lines joined by newlines. */
export const mrzOf = (fields: DocumentFields) => ({ mrz: buildMrz(fields).join('\n') });
