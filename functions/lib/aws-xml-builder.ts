/**
 * The AWS SDK's XML module, pinned to its portable parser. Bundlers follow the package's "browser" field to a
 * parser built on DOMParser, which Workers do not have, so every S3 error reply (XML) failed to parse there.
 * wrangler.toml aliases `@aws-sdk/xml-builder` to this file; the files below are the package's own.
 */
// @ts-expect-error: the package ships no types for its internal modules.
export { XmlNode } from "../../node_modules/@aws-sdk/xml-builder/dist-es/XmlNode.js";
// @ts-expect-error: as above.
export { XmlText } from "../../node_modules/@aws-sdk/xml-builder/dist-es/XmlText.js";
// @ts-expect-error: as above.
export { parseXML } from "../../node_modules/@aws-sdk/xml-builder/dist-es/xml-parser.js";
