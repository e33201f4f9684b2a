import { Client, Connection } from '@temporalio/client';
import { encryptingDataConverter } from './codec-converter';
import type { EncryptionKey } from './config';
import { countWorkflowStarts } from './workflow-starts';

/** A Temporal client that encrypts what it sends and decrypts what it reads, and counts the workflows it starts (lib/workflow-starts.ts). */
export async function createTemporalClient(address: string, namespace: string, keys: EncryptionKey[]): Promise<Client> {
  const connection = await Connection.connect({ address });
  return new Client({ connection, namespace, dataConverter: encryptingDataConverter(keys), interceptors: { workflow: [countWorkflowStarts] } });
}
