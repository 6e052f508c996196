/** Data source for the TypeORM CLI (`npm run migration:generate -- migrations/<Name>`); not used at runtime. */
import { loadConfig } from '../config/load-config.js';
import { createDataSource } from './create-data-source.js';

export default createDataSource({ url: loadConfig().config.databaseUrl });
