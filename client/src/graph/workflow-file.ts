import { readPngTextChunks, workflowFromPngText } from './png-metadata.js';

/** A workflow read from a file the user chose or dropped: the document and the name it gets. */
export interface OpenedWorkflow {
  readonly document: unknown;
  readonly name: string;
}

/** What a workflow file is read through: `Blob`'s readers and `File`'s name. */
export interface WorkflowFile {
  readonly name: string;
  arrayBuffer(): Promise<ArrayBuffer>;
  text(): Promise<string>;
}

/**
 * Reads a PNG's embedded workflow or a JSON file; undefined when the file holds neither. The caller says which
 * the file is; the name loses its extension.
 */
export async function readWorkflowFile(
  file: WorkflowFile,
  format: 'png' | 'json',
): Promise<OpenedWorkflow | undefined> {
  if (format === 'png') {
    const document = workflowFromPngText(readPngTextChunks(new Uint8Array(await file.arrayBuffer())));
    return document === undefined ? undefined : { document, name: file.name.replace(/\.png$/i, '') };
  }
  try {
    return { document: JSON.parse(await file.text()) as unknown, name: file.name.replace(/\.json$/i, '') };
  } catch {
    return undefined;
  }
}
