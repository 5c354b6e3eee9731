/** The release version, printed by `kafscale --version`. */
export const VERSION = "0.1.0";
