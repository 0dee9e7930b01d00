import { z } from 'zod';

/** Request and response schemas of the transparency log (they also feed the OpenAPI document). */
export const Hash = z
  .string()
  .regex(/^[0-9a-f]{64}$/)
  .describe('a SHA-256 hash, lowercase hex')
  .meta({ id: 'Hash' });

const Size = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const SignedTreeHead = z
  .object({
    treeSize: z.number().int().describe('leaves committed to'),
    rootHash: Hash.describe('RFC 9162 Merkle tree hash of the first treeSize leaves'),
    timestamp: z.number().int().describe('when the head was signed, milliseconds since the Unix epoch (UTC)'),
    signature: z
      .string()
      .describe(
        'standard base64 of the Ed25519 signature over "oblik-tree-head-v1" ‖ 0x00 ‖ uint64be(treeSize) ‖ ' +
          'uint64be(timestamp) ‖ the 32 raw bytes of rootHash',
      ),
    keyId: Hash.describe("lowercase hex SHA-256 of the signer's 32-byte raw public key"),
  })
  .meta({ id: 'SignedTreeHead' });

export const TreeHeadParams = z.object({ treeSize: Size.min(1) });

export const InclusionQuery = z.object({
  leafIndex: Size,
  treeSize: Size.min(1).optional().describe('default: the latest signed tree head'),
});

export const InclusionProof = z
  .object({
    leafIndex: z.number().int(),
    treeSize: z.number().int(),
    leafHash: Hash,
    auditPath: z.array(Hash).describe('RFC 9162 §2.1.3 inclusion path, nearest sibling first'),
  })
  .meta({ id: 'InclusionProof' });

export const ConsistencyQuery = z.object({
  from: Size.min(1),
  to: Size.min(1).optional().describe('default: the latest signed tree head'),
});

export const ConsistencyProof = z
  .object({
    from: z.number().int(),
    to: z.number().int(),
    proof: z.array(Hash).describe('RFC 9162 §2.1.4 consistency proof; empty when from = to'),
  })
  .meta({ id: 'ConsistencyProof' });

export const PublishedKey = z
  .object({
    keyId: Hash,
    algorithm: z.literal('Ed25519'),
    publicKey: z.string().describe('the 32 raw bytes of the public key, standard base64'),
    publicKeyPem: z.string().describe('the same key as a PEM SubjectPublicKeyInfo'),
  })
  .meta({ id: 'TransparencyKey' });

export const LeavesQuery = z.object({
  start: Size,
  end: Size.min(1).describe('exclusive; at most start + 1000, clipped to the latest signed tree head'),
});

export const PublishedLeaf = z
  .object({
    leafIndex: z.number().int(),
    leafHash: Hash.describe('SHA-256(0x00 ‖ the UTF-8 bytes of leaf)'),
    v: z.number().int().describe('the leaf format: 2 (a salted commitment) or 1 (an older leaf, not published)'),
    leaf: z
      .string()
      .nullable()
      .describe(
        'version 2: canonical JSON {"commitment": HMAC-SHA256(salt, entry), "v": 2}, which names nobody (see ' +
          'README "Transparency log"); version 1: null, its content is no longer published',
      ),
  })
  .meta({ id: 'TransparencyLeaf' });

export const PublishedKeyList = z.object({ keys: z.array(PublishedKey) });

export const PublishedLeafList = z.object({ leaves: z.array(PublishedLeaf) });

export const EntriesQuery = z.object({
  from: Size.default(0).describe('the first leaf index'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export const FullEntry = z
  .object({
    leafIndex: z.number().int(),
    leafVersion: z.number().int().describe('the leaf format: 2 (a salted commitment) or 1 (the record itself)'),
    entry: z
      .string()
      .describe(
        'version 2: the canonical entry text the commitment covers (leaf = {"commitment": HMAC-SHA256(salt, ' +
          'entry), "v": 2}); version 1: the leaf text itself',
      ),
    salt: z.string().nullable().describe('version 2: the entry salt, lowercase hex; version 1: null'),
  })
  .meta({ id: 'TransparencyEntry' });

export const FullEntryList = z.object({
  treeSize: z.number().int().describe('the latest signed tree head when read; no entry at or past it is given'),
  entries: z.array(FullEntry),
});
