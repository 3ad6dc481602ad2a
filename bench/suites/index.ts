// Registry of bench suites: add a suite by importing it and listing it here.
import { BenchSuite } from '../types';
import { dispatchSuite } from './dispatch';
import { journalSuite } from './journal';
import { meteringSuite } from './metering';
import { marketSuite } from './market';
import { paymentsSuite } from './payments';
import { simSuite } from './sim';

export const suites: BenchSuite[] = [simSuite, meteringSuite, journalSuite, marketSuite, paymentsSuite, dispatchSuite];
