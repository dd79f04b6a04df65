/** Sending rule hits to Splunk HEC: the button the rules page shows. */
export { SendHitsToSplunk } from './SendHitsToSplunk';
