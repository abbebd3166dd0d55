// Types for parse-prometheus-text-format (a port of the Prometheus Python client's text parser,
// output shaped like prom2json), which ships none. The package is CommonJS: module.exports is
// the parse function.
declare module 'parse-prometheus-text-format' {
  namespace parsePrometheusTextFormat {
    interface PromSample {
      labels?: Record<string, string>;
      value?: string;
      buckets?: Record<string, string>;
      count?: string;
      sum?: string;
    }
    interface PromFamily {
      name: string;
      help: string;
      type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED';
      metrics: PromSample[];
    }
  }
  function parsePrometheusTextFormat(text: string): parsePrometheusTextFormat.PromFamily[];
  export = parsePrometheusTextFormat;
}
