export declare const root: string;
export declare function buildIsStale(): boolean;
