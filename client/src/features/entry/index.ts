/** Where an investigation starts: the search bar and the left rail (notables, hosts, recent). */
export { LeftRail } from './LeftRail';
export { SearchBar } from './SearchBar';
