import { loadConfig } from '../../../shared/config';
import { ConfigError } from '../../../shared/errors';

const thrown = (env: Record<string, string>): ConfigError => {
  try {
    loadConfig(env);
  } catch (err) {
    return err as ConfigError;
  }
  throw new Error('loadConfig accepted it');
};

describe("Vertex AI settings for the pipeline's endpoints and the validation endpoint", () => {
  it('reads the pattern, the labels and the validation endpoint', () => {
    const config = loadConfig({
      FG_VERTEX_ENDPOINT_PATTERN: 'book-sales-{isbn}',
      FG_VERTEX_ENDPOINT_LABELS: 'purpose=book_sales_forecasting, model_type=arima',
      FG_VERTEX_VALIDATION_ENDPOINT: 'fg-validation',
    });
    expect(config.gcp.vertexEndpointPattern).toBe('book-sales-{isbn}');
    expect(config.gcp.vertexEndpointLabels).toEqual({
      purpose: 'book_sales_forecasting',
      model_type: 'arima',
    });
    expect(config.gcp.vertexValidationEndpoint).toBe('fg-validation');
    expect(loadConfig({}).gcp.vertexValidationEndpoint).toBeUndefined();
  });

  it('names the variable and what it accepts', () => {
    const cases: Array<[Record<string, string>, string, RegExp]> = [
      [{ FG_VERTEX_ENDPOINT_PATTERN: 'book-sales' }, 'FG_VERTEX_ENDPOINT_PATTERN', /holding \{isbn\} once/],
      [
        { FG_VERTEX_ENDPOINT_PATTERN: '{isbn}-{isbn}' },
        'FG_VERTEX_ENDPOINT_PATTERN',
        /holding \{isbn\} once/,
      ],
      [{ FG_VERTEX_ENDPOINT_LABELS: 'Purpose=x' }, 'FG_VERTEX_ENDPOINT_LABELS', /"Purpose=x" is not one/],
      [{ FG_VERTEX_ENDPOINT_LABELS: 'purpose' }, 'FG_VERTEX_ENDPOINT_LABELS', /"purpose" is not one/],
      [
        { FG_VERTEX_VALIDATION_ENDPOINT: 'projects/p/endpoints/x' },
        'FG_VERTEX_VALIDATION_ENDPOINT',
        /endpoint id or/,
      ],
    ];
    for (const [env, variable, message] of cases) {
      const err = thrown(env);
      expect(err).toBeInstanceOf(ConfigError);
      expect(err.variable).toBe(variable);
      expect(err.message).toMatch(message);
    }
  });
});
